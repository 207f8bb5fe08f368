samples = [4.0, 8.0, 6.0, 10.0, 2.0]
total = 0.0
averages = []
for count, value in enumerate(samples, start=1):
    total += value
    averages.append(total / count)
print(averages)
print("final average:", averages[-1])
