/* Word-class table checks: the table is strictly sorted (word_class() does a
 * binary search, so one misplaced entry silently loses words), every entry
 * is found with its own bits, and a few words have the classes the coder's
 * and the geolocator's rules expect of them. */
#include <stdio.h>

#include "../../src/text/wordclass.c"

static int fails;

static void expect(const char *w, uint32_t want) {
    uint32_t got = word_class(w, strlen(w));
    if (got != (WC_KNOWN | want)) {
        printf("FAIL %s: want %#x got %#x\n", w, (unsigned)(WC_KNOWN | want), (unsigned)got);
        fails++;
    }
}

int main(void) {
    for (size_t i = 0; i < P_ARRAY_LEN(words); i++) {
        if (strlen(words[i].w) != words[i].n) { printf("FAIL %s: length %u\n", words[i].w, words[i].n); fails++; }
        if (i && strcmp(words[i - 1].w, words[i].w) >= 0) {
            printf("FAIL table order: %s before %s\n", words[i - 1].w, words[i].w);
            fails++;
        }
        expect(words[i].w, words[i].bits);
    }
    expect("OF", WC_PREP | WC_NOUN_PREP | WC_CONNECTOR | WC_OF);
    expect("IN", WC_PREP | WC_NOUN_PREP | WC_LOC_AT | WC_IN);
    expect("MAY", WC_FINITE_AUX | WC_MODAL | WC_NOT_PLACE); /* the month is no place either */
    expect("AMID", WC_NOUN_PREP);
    expect("GOVERNORATE", WC_ADM);
    expect("SUBURBS", WC_OUTSKIRTS);
    expect("VILLAGE", WC_VILLAGE);
    /* near misses: prefixes, extensions and lower case are not words */
    expect("O", 0);
    expect("OFF", 0);
    expect("AMIDS", 0);
    expect("of", 0);
    expect("", 0);
    expect("NORTHEASTERNMOST", 0);
    if (word_class("OFTEN", 2) != (WC_KNOWN | WC_PREP | WC_NOUN_PREP | WC_CONNECTOR | WC_OF)) {
        printf("FAIL a length shorter than the string is honoured\n");
        fails++;
    }
    printf("%zu words, %d failed\n", P_ARRAY_LEN(words), fails);
    return fails != 0;
}
