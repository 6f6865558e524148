"""Word frequencies over a generated text: a dict, sorting, string building."""

WORDS = 600000
VOCABULARY = 60000


def make_word(n):
    letters = []
    while True:
        letters.append(chr(97 + n % 26))
        n //= 26
        if not n or len(letters) >= 14:
            return "".join(letters)


def count(words):
    counts = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    return counts


def generate():
    state = 12345
    mask = (1 << 64) - 1
    for _ in range(WORDS):
        state = (state * 6364136223846793005 + 1442695040888963407) & mask
        r = (state >> 33) % VOCABULARY
        yield make_word(r * r % VOCABULARY)


def main():
    counts = count(generate())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    checksum = 0
    for word, n in ranked:
        checksum = (checksum * 31 + len(word) + n) & ((1 << 64) - 1)
    print("distinct", len(ranked), "top", ranked[0][0], ranked[0][1], "checksum", checksum)


if __name__ == "__main__":
    main()
