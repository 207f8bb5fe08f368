codes = {"red": 1, "green": 2, "blue": 3, "crimson": 1}
inverted = {}
for name, code in codes.items():
    inverted.setdefault(code, []).append(name)
simple = {code: name for name, code in codes.items()}
print(inverted)
print(simple)
