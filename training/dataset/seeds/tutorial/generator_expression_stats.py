temps = [18.5, 21.0, 25.5, 19.0, 30.5, 27.0]
hot_days = sum(1 for t in temps if t > 24)
total = sum(t for t in temps)
print("hot days:", hot_days)
print("average:", round(total / len(temps), 2))
print(any(t > 30 for t in temps), all(t > 15 for t in temps))
