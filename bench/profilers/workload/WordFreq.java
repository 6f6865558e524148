import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Word frequencies over a generated text: a HashMap, sorting, string building. */
public class WordFreq {
    static final int WORDS = 4000000;
    static final int VOCABULARY = 60000;

    static String makeWord(long n) {
        StringBuilder word = new StringBuilder();
        do {
            word.append((char) ('a' + n % 26));
            n /= 26;
        } while (n != 0 && word.length() < 14);
        return word.toString();
    }

    static Map<String, Integer> count() {
        Map<String, Integer> counts = new HashMap<>();
        long state = 12345;
        for (int i = 0; i < WORDS; i++) {
            state = state * 6364136223846793005L + 1442695040888963407L;
            long r = Long.remainderUnsigned(state >>> 33, VOCABULARY);
            counts.merge(makeWord(r * r % VOCABULARY), 1, Integer::sum);
        }
        return counts;
    }

    public static void main(String[] args) {
        List<Map.Entry<String, Integer>> ranked = new ArrayList<>(count().entrySet());
        ranked.sort((a, b) -> a.getValue().equals(b.getValue()) ? a.getKey().compareTo(b.getKey()) : b.getValue() - a.getValue());
        long checksum = 0;
        for (Map.Entry<String, Integer> e : ranked) checksum = checksum * 31 + e.getKey().hashCode() + e.getValue();
        System.out.println("distinct " + ranked.size() + " top " + ranked.get(0).getKey() + " " + ranked.get(0).getValue() + " checksum " + checksum);
    }
}
