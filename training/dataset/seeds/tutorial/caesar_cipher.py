def shift_text(message, shift):
    out = []
    for ch in message:
        if ch.isalpha():
            base = ord("A") if ch.isupper() else ord("a")
            out.append(chr((ord(ch) - base + shift) % 26 + base))
        else:
            out.append(ch)
    return "".join(out)


secret = shift_text("Meet at Noon!", 3)
print(secret)
print(shift_text(secret, -3))
