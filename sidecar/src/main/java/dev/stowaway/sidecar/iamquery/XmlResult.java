package dev.stowaway.sidecar.iamquery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * An {@code <ActionResult>} as JSON, for the audit record's {@code responseElements}: elements
 * become members, {@code <member>} lists become arrays, text stays text. The XML is our own
 * answer, read back once for writes only (reads record no response).
 */
final class XmlResult {

  private XmlResult() {}

  static JsonNode toJson(byte[] xml, String resultElement) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setNamespaceAware(false);
      Element root = factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml)).getDocumentElement();
      for (Element child : children(root)) {
        if (child.getTagName().equals(resultElement)) {
          return children(child).isEmpty() ? null : convert(child);
        }
      }
      return null;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read back our own XML answer", e);
    }
  }

  private static JsonNode convert(Element element) {
    List<Element> children = children(element);
    if (children.isEmpty()) {
      return JsonNodeFactory.instance.textNode(element.getTextContent());
    }
    if (children.stream().allMatch(c -> c.getTagName().equals("member"))) {
      ArrayNode array = JsonNodeFactory.instance.arrayNode();
      children.forEach(c -> array.add(convert(c)));
      return array;
    }
    ObjectNode object = JsonNodeFactory.instance.objectNode();
    children.forEach(c -> object.set(c.getTagName(), convert(c)));
    return object;
  }

  private static List<Element> children(Element element) {
    List<Element> children = new ArrayList<>();
    for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        children.add(e);
      }
    }
    return children;
  }
}
