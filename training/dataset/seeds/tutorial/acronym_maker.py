def acronym(phrase):
    letters = [word[0].upper() for word in phrase.replace("-", " ").split()]
    return "".join(letters)


for name in ["portable network graphics", "as soon as possible", "read-only memory"]:
    print(acronym(name), "=", name)
