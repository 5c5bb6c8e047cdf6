package example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A small Spring Boot web app for Pilotlight's {@code http} runtime; routes in {@link GreetingController}. */
@SpringBootApplication
public class SpringBootWeb {
  public static void main(String[] args) {
    SpringApplication.run(SpringBootWeb.class, args);
  }
}
