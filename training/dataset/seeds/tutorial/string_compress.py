def compress(text):
    out = ""
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and text[j] == text[i]:
            j += 1
        out += text[i] + (str(j - i) if j - i > 1 else "")
        i = j
    return out if len(out) < len(text) else text


print(compress("aabcccccaaa"))
print(compress("abc"))
