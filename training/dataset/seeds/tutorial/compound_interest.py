principal = 1000.0
rate = 0.05
balance = principal
for year in range(1, 6):
    interest = balance * rate
    balance += interest
    print(year, round(interest, 2), round(balance, 2))
print("growth:", round(balance / principal - 1, 4))
