app_name = "account_twofactor"

urlpatterns: list = []
