total = 0
for i in range(4):
    if i == 1:
        continue
    if i == 3:
        break
    total += i
n = 2
while n > 0:
    n -= 1
else:
    done = True
