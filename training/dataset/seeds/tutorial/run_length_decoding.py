def decode(encoded):
    result = ""
    number = ""
    for ch in encoded:
        if ch.isdigit():
            number += ch
        else:
            result += ch * int(number)
            number = ""
    return result


print(decode("3a1b2c5d"))
print(decode("12x2y"))
