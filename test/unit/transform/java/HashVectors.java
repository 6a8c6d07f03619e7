// Produces hash-vectors.json: Java's own String.hashCode for a fixed set of inputs and the partition
// (h & 0x7fffffff) % n for n in {1, 3, 8, 64}. Run here with `java HashVectors.java > hash-vectors.json`;
// the unit test checks sluice's TypeScript hash against every vector. Output is ASCII JSON (\\u escapes),
// so the file's bytes do not depend on the platform encoding.
import java.util.ArrayList;
import java.util.List;

public class HashVectors {
  static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20 || c > 0x7e) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }

  public static void main(String[] args) {
    List<String> in = new ArrayList<>();
    in.add("");
    in.add("a");
    in.add("shop.orders");
    in.add("db.table");
    in.add("Aa");
    in.add("BB"); // same hash as "Aa"
    in.add("polygenelubricants"); // Integer.MIN_VALUE
    in.add("GydZG_"); // Integer.MIN_VALUE
    in.add("DESIGNING WORKHOUSES"); // Integer.MIN_VALUE
    in.add("\u8ba2\u5355.\u5ba2\u6237"); // CJK 订单.客户
    in.add("\u6570\u636e\u5e93"); // 数据库
    in.add("\ud83d\ude00"); // emoji, a surrogate pair
    in.add("key-\ud83d\udc4d\ud83c\udffd-\ud83c\uddef\ud83c\uddf5"); // emoji with modifier and flag
    in.add("\ud800"); // lone high surrogate (JS strings can hold it too)
    in.add("caf\u00e9 na\u00efve \u00c5ngstr\u00f6m");
    in.add("[\"42\"]");
    in.add("[\"42\",\"abc\"]");
    in.add("[\"1\",null]");
    in.add("[null]");
    in.add("[\"-12.50\",\"2024-01-02 03:04:05.123\"]");
    in.add("[\"0a0b0cff\"]");
    in.add("[\"\u5f20\u4e09\",\"\ud83d\ude00\"]");
    in.add("[\"18446744073709551615\"]");
    in.add("shop\\u002Eeu.orders");
    StringBuilder longS = new StringBuilder();
    for (int i = 0; i < 1000; i++) longS.append((char) ('a' + (i * 7) % 26)).append(i % 10);
    in.add(longS.toString());
    StringBuilder longU = new StringBuilder();
    for (int i = 0; i < 300; i++) longU.append("\u00e9\u4e2d\ud83d\ude80");
    in.add(longU.toString());
    for (int i = 0; i < 40; i++) in.add("[\"" + (i * 7919L - 100) + "\",\"row" + i + "\"]");

    int[] ns = {1, 3, 8, 64};
    StringBuilder out = new StringBuilder();
    out.append("{\n  \"generator\": \"HashVectors.java\",\n  \"java\": ").append(json(System.getProperty("java.version")));
    out.append(",\n  \"vectors\": [\n");
    for (int k = 0; k < in.size(); k++) {
      String s = in.get(k);
      int h = s.hashCode();
      out.append("    {\"input\": ").append(json(s)).append(", \"hash\": ").append(h).append(", \"partitions\": {");
      for (int j = 0; j < ns.length; j++) {
        if (j > 0) out.append(", ");
        out.append('"').append(ns[j]).append("\": ").append((h & 0x7fffffff) % ns[j]);
      }
      out.append("}}").append(k + 1 < in.size() ? ",\n" : "\n");
    }
    out.append("  ]\n}\n");
    System.out.print(out);
  }
}
