def running_sum():
    total = 0
    history = []

    def add(amount):
        nonlocal total
        total += amount
        history.append(total)
        return history

    return add


acc = running_sum()
for amount in [5, -2, 10, 3]:
    snapshot = acc(amount)
print(snapshot)
