def is_leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


leap = []
for year in range(1896, 1912):
    if is_leap(year):
        leap.append(year)
print("leap years:", leap)
print(is_leap(1900), is_leap(2000))
