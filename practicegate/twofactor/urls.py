app_name = "twofactor"

urlpatterns: list = []
