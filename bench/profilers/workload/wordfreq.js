'use strict';
// Word frequencies over a generated text: a Map, sorting, string building.
const WORDS = 3000000;
const VOCABULARY = 60000;

function makeWord(n) {
  let word = '';
  do {
    word += String.fromCharCode(97 + (n % 26));
    n = Math.floor(n / 26);
  } while (n && word.length < 14);
  return word;
}

function count(words) {
  const counts = new Map();
  for (const word of words) counts.set(word, (counts.get(word) || 0) + 1);
  return counts;
}

function* generate() {
  let state = 12345n;
  const mask = (1n << 64n) - 1n;
  for (let i = 0; i < WORDS; i++) {
    state = (state * 6364136223846793005n + 1442695040888963407n) & mask;
    const r = Number((state >> 33n) % BigInt(VOCABULARY));
    yield makeWord((r * r) % VOCABULARY);
  }
}

function main() {
  const ranked = [...count(generate())].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  let checksum = 0;
  for (const [word, n] of ranked) checksum = (checksum * 31 + word.length + n) % 1000000007;
  console.log(`distinct ${ranked.length} top ${ranked[0][0]} ${ranked[0][1]} checksum ${checksum}`);
}

main();
