def test_home_page_offers_signup(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Create My Account" in response.content
