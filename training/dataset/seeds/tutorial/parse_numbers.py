raw = ["12", "7.5", "abc", "-3", "", "1e2"]
numbers = []
bad = []
for item in raw:
    try:
        numbers.append(int(item))
    except ValueError:
        try:
            numbers.append(float(item))
        except ValueError:
            bad.append(item)
print(numbers)
print("could not parse:", bad)
