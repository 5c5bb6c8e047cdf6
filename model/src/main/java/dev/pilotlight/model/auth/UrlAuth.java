package dev.pilotlight.model.auth;

import dev.pilotlight.model.Failure;
import java.util.Locale;

/** Who may call a function's URL: the function's {@code auth} setting. */
public enum UrlAuth {
  /** Anyone who can reach the port, like a Lambda function URL with {@code AuthType: NONE} (the default). */
  NONE,
  /** A bearer token the daemon issued, any role ({@code Authorization: Bearer plt_…}). */
  TOKEN,
  /** A SigV4 signature (service {@code lambda}) with an access key the daemon issued, like {@code AuthType: AWS_IAM}. */
  AWS_IAM;

  /** The setting's value as written: {@code none}, {@code token} or {@code aws_iam}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the setting (any case); null or blank is {@link #NONE}. */
  public static UrlAuth parse(String setting) {
    if (setting == null || setting.isBlank()) {
      return NONE;
    }
    for (UrlAuth a : values()) {
      if (a.id().equalsIgnoreCase(setting.strip())) {
        return a;
      }
    }
    throw new Failure.InvalidInput("auth: '" + setting + "' (expected: none, token or aws_iam)");
  }
}
