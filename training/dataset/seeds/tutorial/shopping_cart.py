prices = {"bread": 2.5, "milk": 1.2, "eggs": 3.0, "cheese": 5.75}
cart = [("bread", 2), ("eggs", 1), ("cheese", 1), ("milk", 3)]
subtotal = 0
for item, qty in cart:
    line = prices[item] * qty
    subtotal += line
    print(f"{item:<8}{qty:>3} {line:>7.2f}")
discount = subtotal * 0.1 if subtotal > 15 else 0
print(f"total: {subtotal - discount:.2f}")
