def running_total(values):
    total = 0
    for v in values:
        total += v
        yield total


deposits = [100, -20, 45, -60, 10]
balances = list(running_total(deposits))
print(balances)
print("lowest balance:", min(balances))
