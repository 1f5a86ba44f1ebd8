app_name = "copy"

urlpatterns: list = []
