app_name = "my_activity"

urlpatterns: list = []
