package testfixtures;

import java.util.List;
import java.util.Map;

/** A POJO with setters, a nested class, a list of it, a map and a Lombok-style boolean. */
public class Order {
  private String customer;
  private List<Item> items;
  private Map<String, Integer> quantities;
  private boolean isGift;
  public long createdAt;

  public String getCustomer() {
    return customer;
  }

  public void setCustomer(String customer) {
    this.customer = customer;
  }

  public List<Item> getItems() {
    return items;
  }

  public void setItems(List<Item> items) {
    this.items = items;
  }

  public Map<String, Integer> getQuantities() {
    return quantities;
  }

  public void setQuantities(Map<String, Integer> quantities) {
    this.quantities = quantities;
  }

  public boolean isGift() {
    return isGift;
  }

  public void setGift(boolean gift) {
    isGift = gift;
  }

  /** Field-only properties: no setters at all. */
  public static class Item {
    private String sku;
    private int quantity;
    private double price;

    public String sku() {
      return sku;
    }

    public int quantity() {
      return quantity;
    }

    public double price() {
      return price;
    }
  }
}
