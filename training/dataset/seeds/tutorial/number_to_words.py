ones = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
teens = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]
tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spell(n):
    if n < 10:
        return ones[n]
    if n < 20:
        return teens[n - 10]
    word = tens[n // 10]
    return word if n % 10 == 0 else word + "-" + ones[n % 10]


print([spell(n) for n in (7, 13, 40, 58, 99)])
