package dev.pilotlight.bench;

import java.util.List;
import java.util.Locale;

/**
 * The frontier as an SVG: the fixed keep-alives' points joined by lines (idle GB-s across,
 * cold-start fraction up on a log scale, which the fixed-0 point would otherwise flatten) and the
 * other policies' points on it, labelled. Plain SVG text, readable by
 * any browser, so the plot needs nothing installed.
 */
final class FrontierPlot {
  private static final int W = 720;
  private static final int H = 480;
  private static final int LEFT = 80;
  private static final int RIGHT = 30;
  private static final int TOP = 40;
  private static final int BOTTOM = 60;

  static String svg(String title, Frontier frontier, List<String> others) {
    List<Frontier.Point> fixed = frontier.fixed();
    double maxX = 0;
    double maxY = 0;
    double minY = 1;
    List<Frontier.Point> all = new java.util.ArrayList<>(fixed);
    others.stream().map(frontier::point).filter(java.util.Objects::nonNull).forEach(all::add);
    for (Frontier.Point p : all) {
      maxX = Math.max(maxX, p.idleGbSeconds());
      maxY = Math.max(maxY, p.coldFraction());
      if (p.coldFraction() > 0) {
        minY = Math.min(minY, p.coldFraction());
      }
    }
    maxX = maxX <= 0 ? 1 : maxX * 1.05;
    // decades from below the smallest positive fraction to above the largest
    double lo = Math.pow(10, Math.floor(Math.log10(Math.min(minY, maxY > 0 ? maxY : 1))));
    double hi = Math.pow(10, Math.ceil(Math.log10(maxY > 0 ? maxY : 1)));
    if (hi <= lo) {
      hi = lo * 10;
    }
    double yLo = lo;
    double yHi = hi;
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\""
        + " font-size=\"12\">%n", W, H));
    s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\">%s</text>%n", LEFT, escape(title)));
    int x0 = LEFT;
    int y0 = H - BOTTOM;
    int x1 = W - RIGHT;
    int y1 = TOP;
    s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", x0, y0, x1, y0));
    s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", x0, y0, x0, y1));
    for (int i = 0; i <= 4; i++) {
      double vx = maxX * i / 4;
      s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x(vx, maxX), y0 + 18, grouped(vx)));
    }
    for (double vy = yLo; vy <= yHi * 1.0001; vy *= 10) {
      double py = y(vy, yLo, yHi);
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", x0, py, x1, py));
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s %%</text>%n", x0 - 6, py + 4,
          new java.math.BigDecimal(vy * 100).round(new java.math.MathContext(1)).stripTrailingZeros().toPlainString()));
    }
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">idle GB-s</text>%n", (x0 + x1) / 2, H - 15));
    s.append(String.format(Locale.ROOT, "<text x=\"15\" y=\"%d\" transform=\"rotate(-90 15 %d)\" text-anchor=\"middle\">cold-start fraction (log)"
        + "</text>%n", (y0 + y1) / 2, (y0 + y1) / 2));
    StringBuilder path = new StringBuilder();
    for (Frontier.Point p : fixed) {
      path.append(path.isEmpty() ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x(p.idleGbSeconds(), maxX),
          y(p.coldFraction(), yLo, yHi)));
    }
    s.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.5\"/>\n");
    for (Frontier.Point p : fixed) {
      double px = x(p.idleGbSeconds(), maxX);
      double py = y(p.coldFraction(), yLo, yHi);
      s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#555\"/>%n", px, py));
      s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">%s</text>%n", px + 6, py - 6, escape(p.policy())));
    }
    String[] colours = {"#d62728", "#1f77b4", "#2ca02c"};
    for (int i = 0; i < others.size(); i++) {
      Frontier.Point p = frontier.point(others.get(i));
      if (p == null) {
        continue;
      }
      double px = x(p.idleGbSeconds(), maxX);
      double py = y(p.coldFraction(), yLo, yHi);
      String c = colours[i % colours.length];
      s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"9\" height=\"9\" fill=\"%s\"/>%n", px - 4.5, py - 4.5, c));
      s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" font-weight=\"bold\">%s</text>%n", px + 8, py + 14, c,
          escape(p.policy())));
    }
    return s.append("</svg>\n").toString();
  }

  private static double x(double v, double max) {
    return LEFT + v / max * (W - LEFT - RIGHT);
  }

  /** Log scale; a fraction of 0 sits on the axis. */
  private static double y(double v, double lo, double hi) {
    double t = v <= 0 ? 0 : (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
    return H - BOTTOM - t * (H - TOP - BOTTOM);
  }

  private static String grouped(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private FrontierPlot() {}
}
