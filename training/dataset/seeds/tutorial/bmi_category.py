people = [("Ana", 55.0, 1.62), ("Ben", 92.5, 1.80), ("Chen", 48.0, 1.70)]
for name, weight, height in people:
    bmi = weight / (height * height)
    if bmi < 18.5:
        category = "under"
    elif bmi < 25:
        category = "normal"
    else:
        category = "over"
    print(f"{name}: {bmi:.1f} {category}")
