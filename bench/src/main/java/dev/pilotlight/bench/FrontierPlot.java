package dev.pilotlight.bench;

import java.util.List;
import java.util.Locale;

/**
 * The frontier as an SVG: the fixed keep-alives' points joined by lines (idle GB-s across,
 * cold-start fraction up) and the other policies' points on it, labelled. Plain SVG text, readable by
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
    for (Frontier.Point p : fixed) {
      maxX = Math.max(maxX, p.idleGbSeconds());
      maxY = Math.max(maxY, p.coldFraction());
    }
    for (String o : others) {
      Frontier.Point p = frontier.point(o);
      if (p != null) {
        maxX = Math.max(maxX, p.idleGbSeconds());
        maxY = Math.max(maxY, p.coldFraction());
      }
    }
    maxX = maxX <= 0 ? 1 : maxX * 1.05;
    maxY = maxY <= 0 ? 1 : maxY * 1.1;
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
      double vy = maxY * i / 4;
      double px = x(vx, maxX);
      double py = y(vy, maxY);
      s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, y0 + 18, grouped(vx)));
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3f %%</text>%n", x0 - 6, py + 4, vy * 100));
    }
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">idle GB-s</text>%n", (x0 + x1) / 2, H - 15));
    s.append(String.format(Locale.ROOT, "<text x=\"15\" y=\"%d\" transform=\"rotate(-90 15 %d)\" text-anchor=\"middle\">cold-start fraction"
        + "</text>%n", (y0 + y1) / 2, (y0 + y1) / 2));
    StringBuilder path = new StringBuilder();
    for (Frontier.Point p : fixed) {
      path.append(path.isEmpty() ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x(p.idleGbSeconds(), maxX),
          y(p.coldFraction(), maxY)));
    }
    s.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.5\"/>\n");
    for (Frontier.Point p : fixed) {
      double px = x(p.idleGbSeconds(), maxX);
      double py = y(p.coldFraction(), maxY);
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
      double py = y(p.coldFraction(), maxY);
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

  private static double y(double v, double max) {
    return H - BOTTOM - v / max * (H - TOP - BOTTOM);
  }

  private static String grouped(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private FrontierPlot() {}
}
