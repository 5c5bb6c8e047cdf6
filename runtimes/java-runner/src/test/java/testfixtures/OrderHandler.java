package testfixtures;

import java.util.LinkedHashMap;
import java.util.Map;

public class OrderHandler extends BaseHandler<Order> {
  @Override
  protected Map<String, Object> summarize(Order order) {
    double total = 0;
    for (Order.Item item : order.getItems()) {
      total += item.quantity() * item.price();
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("customer", order.getCustomer());
    result.put("firstSku", order.getItems().get(0).sku());
    result.put("total", total);
    result.put("gift", order.isGift());
    result.put("quantities", order.getQuantities());
    result.put("createdAt", order.createdAt);
    return result;
  }
}
