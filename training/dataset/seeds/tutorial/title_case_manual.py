small_words = {"a", "an", "of", "the", "and", "in"}


def headline(text):
    words = text.lower().split()
    result = []
    for position, word in enumerate(words):
        if position > 0 and word in small_words:
            result.append(word)
        else:
            result.append(word[0].upper() + word[1:])
    return " ".join(result)


print(headline("the lord OF the rings"))
print(headline("a tale of two cities"))
