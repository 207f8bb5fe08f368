values = [14, 27, 33, 48, 52, 61, 75]
remainders = {v % 5 for v in values}
last_digits = sorted({v % 10 for v in values})
print(sorted(remainders))
print(last_digits)
print(len(remainders) == 5)
