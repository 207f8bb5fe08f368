shelves = [["salt", "pepper"], [], ["oil", "vinegar", "honey"], ["rice"]]
products = [item for shelf in shelves for item in shelf]
initials = [item[0] for item in products]
print(products)
print("".join(initials))
