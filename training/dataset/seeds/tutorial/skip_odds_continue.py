total = 0
picked = []
for number in range(1, 15):
    if number % 2 == 1:
        continue
    if number % 3 == 0:
        picked.append(number)
    total += number
print("sum of evens:", total)
print("evens divisible by 3:", picked)
