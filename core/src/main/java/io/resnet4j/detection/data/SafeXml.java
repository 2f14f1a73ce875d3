package io.resnet4j.detection.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.xml.sax.SAXException;

/**
 * Parses untrusted XML with the defences OWASP lists for the JDK's parser: a document type
 * declaration is refused outright (no external entities to read local files or the network, no
 * entity expansion to blow up memory), XInclude and external schemas are off, and secure processing
 * caps what is left. Annotation files never need a DTD.
 */
final class SafeXml {

    private static final DocumentBuilderFactory FACTORY = factory();

    private SafeXml() {}

    private static DocumentBuilderFactory factory() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            f.setNamespaceAware(false);
            return f;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a security feature: " + e.getMessage(), e);
        }
    }

    /**
     * @throws IOException with the parser's one-line reason (a DOCTYPE, malformed markup) and its position
     */
    static Document parse(byte[] xml) throws IOException {
        try {
            DocumentBuilder builder;
            synchronized (FACTORY) {
                builder = FACTORY.newDocumentBuilder();
            }
            builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler()); // throws on fatal errors, prints nothing
            builder.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("external entity " + systemId + " refused");
            });
            return builder.parse(new ByteArrayInputStream(xml));
        } catch (SAXException e) {
            throw new IOException(oneLine(e), e);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String oneLine(SAXException e) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (msg.contains("DOCTYPE is disallowed")) {
            msg = "it has a DOCTYPE, which is refused (no DTDs or entities are read); remove the DOCTYPE line";
        }
        if (e instanceof org.xml.sax.SAXParseException p && p.getLineNumber() > 0) {
            msg += " (line " + p.getLineNumber() + ")";
        }
        return msg.replaceAll("\\s+", " ").trim();
    }
}
