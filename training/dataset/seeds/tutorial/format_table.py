rows = [("Widget", 4, 3.5), ("Gadget", 12, 0.75), ("Doohickey", 1, 19.0)]
print(f"{'name':<10}{'qty':>5}{'price':>8}")
print("-" * 23)
for name, qty, price in rows:
    print(f"{name:<10}{qty:>5}{price:>8.2f}")
print("-" * 23)
print(f"{'total':<10}{sum(q for _, q, _ in rows):>5}")
