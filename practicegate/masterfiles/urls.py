app_name = "masterfiles"

urlpatterns: list = []
