numbers = [3, 9, 4, 7, 1, 6]
target = 10
pairs = []
for i in range(len(numbers)):
    for j in range(i + 1, len(numbers)):
        if numbers[i] + numbers[j] == target:
            pairs.append((numbers[i], numbers[j]))
print(pairs)
print(len(pairs), "pairs")
