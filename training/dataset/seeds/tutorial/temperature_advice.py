forecast = {"mon": 3, "tue": 14, "wed": 22, "thu": 31, "fri": -2}
for day, temp in forecast.items():
    if temp <= 0:
        advice = "freezing, stay in"
    elif temp < 10:
        advice = "wear a coat"
    elif temp < 25:
        advice = "nice weather"
    else:
        advice = "drink water"
    print(day, temp, advice)
