print("crmsync")
