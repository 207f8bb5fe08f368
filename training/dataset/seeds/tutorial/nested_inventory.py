store = {
    "fruit": {"apple": 12, "pear": 0, "plum": 5},
    "veg": {"leek": 3, "kale": 0},
}
restock = []
total = 0
for section, stock in store.items():
    for product, qty in stock.items():
        total += qty
        if qty == 0:
            restock.append(section + "/" + product)
print("items in store:", total)
print("restock:", restock)
store["veg"]["kale"] = 8
print(store["veg"])
