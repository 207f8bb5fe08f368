def letter_grade(score):
    if score >= 90:
        return "A"
    elif score >= 80:
        return "B"
    elif score >= 70:
        return "C"
    elif score >= 60:
        return "D"
    else:
        return "F"


scores = [95, 83, 71, 64, 42, 88]
for s in scores:
    grade = letter_grade(s)
    print(s, grade)
