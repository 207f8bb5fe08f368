def ticket_price(age, is_student=False):
    if age < 4:
        price = 0
    elif age < 12:
        price = 6
    elif age >= 65:
        price = 7
    else:
        price = 12
    if is_student and price > 8:
        price -= 3
    return price


visitors = [(2, False), (9, False), (20, True), (35, False), (70, False)]
total = 0
for age, student in visitors:
    p = ticket_price(age, student)
    total += p
    print(age, student, p)
print("total:", total)
