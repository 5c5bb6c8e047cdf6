package dev.pilotlight.runner;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URLClassLoader;

/**
 * A pool runner's function code, loaded before the function takes the runner: the function's class
 * loader over its task root (as {@link HandlerLoader#functionClassLoader} makes it), every class of
 * the jars at the task root defined and linked, the handler's class included. Nothing is
 * initialised: no function code runs before the function's environment is in place, and its static
 * initialisers run at the hand-off, as in any cold start.
 *
 * <p>The platform starts such a runner for one function revision (task root and handler) and gives
 * it to that function only; the hand-off still says which function it is, and a runner handed any
 * other function drops the preloaded loader and loads that function as usual.
 */
final class PreloadedCode {
  private static PreloadedCode current;

  private final File taskRoot;
  private final String handler;
  private final URLClassLoader loader;

  /** Held so that the reflective call made ready ahead stays ready (its accessor hangs off the method's root). */
  @SuppressWarnings({"unused", "UnusedVariable"})
  private final Method entry;

  private PreloadedCode(File taskRoot, String handler, URLClassLoader loader, Method entry) {
    this.taskRoot = taskRoot;
    this.handler = handler;
    this.loader = loader;
    this.entry = entry;
  }

  /**
   * For a handler called through {@code RequestHandler} or {@code RequestStreamHandler}: that
   * interface method ({@link HandlerLoader#interfaceEntry}), called once on a proxy of the interface
   * that does nothing. That makes the JDK's accessor for the method (a method handle spun for it,
   * about a millisecond the first time) before the function is known to need it, and runs no code of
   * the function's or its libraries'. Null for other handlers.
   */
  private static Method prepareInterfaceCall(Class<?> type, String handler, ClassLoader loader) throws ReflectiveOperationException {
    HandlerLoader.InterfaceEntry entry = HandlerLoader.interfaceEntry(type, HandlerLoader.methodName(handler), loader);
    if (entry == null) {
      return null;
    }
    Object proxy = Proxy.newProxyInstance(loader, new Class<?>[] {entry.api()}, (p, method, a) -> null);
    entry.method().invoke(proxy, new Object[entry.method().getParameterCount()]);
    return entry.method();
  }

  /**
   * Loads the code at {@code taskRoot} for {@code handler} ({@code pkg.Class::method} or {@code
   * pkg.Class}). Best effort: when anything fails, nothing is kept and the hand-off loads the
   * function as a runner without preloaded code would.
   *
   * @return whether the handler's class was loaded
   */
  @SuppressWarnings("ReturnValueIgnored") // reflection called for its side effect: linking
  static synchronized boolean load(File taskRoot, String handler) {
    forget();
    URLClassLoader loader = null;
    try {
      loader = HandlerLoader.functionClassLoader(taskRoot);
      File[] jars = taskRoot.listFiles((dir, name) -> name.endsWith(".jar"));
      if (jars != null) {
        for (File jar : jars) {
          if (jar.isFile()) {
            LibraryLayer.preload(loader, jar);
          }
        }
      }
      Class<?> type = Class.forName(HandlerLoader.className(handler), false, loader);
      type.getDeclaredMethods(); // reflection links (verifies) the class without running its static initialiser
      Method entry = prepareInterfaceCall(type, handler, loader);
      current = new PreloadedCode(taskRoot, handler, loader, entry);
      return true;
    } catch (HandlerInitException | IOException | ReflectiveOperationException | LinkageError | RuntimeException e) {
      close(loader);
      return false;
    }
  }

  /**
   * The preloaded loader if it holds the code for exactly this task root and handler (it is then
   * handed over, once); otherwise null, and a preloaded loader for other code is dropped.
   */
  static synchronized URLClassLoader take(File taskRoot, String handler) {
    PreloadedCode p = current;
    current = null;
    if (p == null) {
      return null;
    }
    if (p.taskRoot.equals(taskRoot) && p.handler.equals(handler)) {
      return p.loader;
    }
    close(p.loader);
    return null;
  }

  /** Drops what is preloaded (for tests that run several runners in one JVM). */
  static synchronized void forget() {
    if (current != null) {
      close(current.loader);
      current = null;
    }
  }

  private static void close(URLClassLoader loader) {
    if (loader == null) {
      return;
    }
    try {
      loader.close();
    } catch (IOException ignored) {
      // dropped either way
    }
  }
}
