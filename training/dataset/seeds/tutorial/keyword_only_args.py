def format_price(amount, *, currency="EUR", decimals=2):
    text = f"{amount:.{decimals}f}"
    return text + " " + currency


print(format_price(12.5))
print(format_price(3, currency="USD"))
print(format_price(99.999, decimals=1))
try:
    format_price(5, "GBP")
except TypeError as err:
    print("TypeError:", err)
