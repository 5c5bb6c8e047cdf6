package example;

import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /?name=} greets as JSON; {@code POST /echo} sends a JSON object back with its size. */
@RestController
class GreetingController {

  /** The answer of {@code GET /}. */
  record Greeting(String greeting, String name) {}

  /** The answer of {@code POST /echo}. */
  record Echo(Map<String, Object> received, int keys) {}

  @GetMapping("/")
  Greeting hello(@RequestParam(name = "name", defaultValue = "world") String name) {
    String who = name.isBlank() ? "world" : name;
    return new Greeting("Hello, " + who, who);
  }

  @PostMapping("/echo")
  Echo echo(@RequestBody Map<String, Object> body) {
    return new Echo(body, body.size());
  }
}
