grades = {
    "ines": [78, 91, 85],
    "omar": [62, 70, 58],
    "yuki": [95, 99, 92],
}
averages = {}
for student, marks in grades.items():
    averages[student] = sum(marks) / len(marks)
best = max(averages, key=averages.get)
print({name: round(avg, 1) for name, avg in averages.items()})
print("top student:", best)
