/* Word frequencies over a generated text: hashing, a hash table, qsort with strcmp (libc code the ranking keeps apart). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORDS 6000000
#define VOCABULARY 60000
#define SLOTS (1 << 17)

struct entry { char word[16]; long count; };

static struct entry table[SLOTS];

static unsigned long hash(const char *s)
{
    unsigned long h = 1469598103934665603UL;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211UL;
    return h;
}

static void make_word(unsigned long n, char *out)
{
    int i = 0;
    do {
        out[i++] = (char)('a' + n % 26);
        n /= 26;
    } while (n && i < 14);
    out[i] = 0;
}

static void count(const char *word)
{
    unsigned long slot = hash(word) & (SLOTS - 1);
    while (table[slot].count && strcmp(table[slot].word, word) != 0)
        slot = (slot + 1) & (SLOTS - 1);
    if (!table[slot].count)
        strcpy(table[slot].word, word);
    table[slot].count++;
}

static int by_count(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->word, y->word);
}

int main(void)
{
    unsigned long state = 12345;
    char word[16];
    for (long i = 0; i < WORDS; i++) {
        state = state * 6364136223846793005UL + 1442695040888963407UL;
        unsigned long r = (state >> 33) % VOCABULARY;
        make_word(r * r % VOCABULARY, word);
        count(word);
    }
    size_t used = 0;
    for (size_t i = 0; i < SLOTS; i++)
        if (table[i].count)
            table[used++] = table[i];
    qsort(table, used, sizeof table[0], by_count);
    unsigned long checksum = 0;
    for (size_t i = 0; i < used; i++)
        checksum = checksum * 31 + hash(table[i].word) + (unsigned long)table[i].count;
    printf("distinct %zu top %s %ld checksum %lu\n", used, table[0].word, table[0].count, checksum);
    return 0;
}
