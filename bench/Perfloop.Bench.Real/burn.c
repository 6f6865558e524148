/* A calibrated amount of CPU work: the iteration count is read from the file "n" next to this binary,
   so two copies of the same binary in two directories differ only by how much work they do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdint.h>

int main(void)
{
    char path[4096];
    ssize_t length = readlink("/proc/self/exe", path, sizeof path - 3);
    if (length <= 0) return 2;
    path[length] = 0;
    char *slash = strrchr(path, '/');
    strcpy(slash + 1, "n");
    FILE *file = fopen(path, "r");
    if (!file) return 3;
    unsigned long long iterations = 0;
    if (fscanf(file, "%llu", &iterations) != 1) return 4;
    fclose(file);

    uint64_t x = 88172645463325252ULL, sum = 0;
    for (unsigned long long i = 0; i < iterations; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;   /* xorshift64: a dependent chain the compiler cannot skip */
        sum += x;
    }
    printf("%llu\n", (unsigned long long)(sum & 0xffff));
    return 0;
}
