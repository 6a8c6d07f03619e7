-- A small shop: customers, products, orders (composite-key order lines), and a keyless audit log.
DROP DATABASE IF EXISTS demo_shop;
CREATE DATABASE demo_shop CHARACTER SET utf8mb4;
USE demo_shop;
CREATE TABLE customers (
  id BIGINT UNSIGNED PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  email VARCHAR(128) NOT NULL UNIQUE,
  country CHAR(2) NOT NULL,
  created_at DATETIME(3) NOT NULL
);
CREATE TABLE products (
  sku VARCHAR(16) PRIMARY KEY,
  title VARCHAR(128) NOT NULL,
  price DECIMAL(12,2) NOT NULL,
  tags SET('new','sale','gift') NOT NULL DEFAULT '',
  attrs JSON
);
CREATE TABLE orders (
  id BIGINT PRIMARY KEY AUTO_INCREMENT,
  customer_id BIGINT UNSIGNED NOT NULL,
  status ENUM('new','paid','shipped','cancelled') NOT NULL,
  total DECIMAL(12,2) NOT NULL,
  placed_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
);
CREATE TABLE order_lines (
  order_id BIGINT NOT NULL,
  line_no SMALLINT NOT NULL,
  sku VARCHAR(16) NOT NULL,
  qty INT NOT NULL,
  PRIMARY KEY (order_id, line_no)
);
CREATE TABLE audit_log (
  at DATETIME NOT NULL,
  message TEXT
);
INSERT INTO customers VALUES
  (1, 'Ada Lovelace', 'ada@example.com', 'GB', '2024-01-05 10:00:00.125'),
  (2, 'Zhang Wei 张伟', 'zhang@example.com', 'CN', '2024-02-11 08:30:00.000'),
  (3, 'José Núñez', 'jose@example.com', 'ES', '2024-03-01 17:45:12.500');
INSERT INTO products VALUES
  ('SKU-1', 'Notebook', 4.50, 'new', '{"pages": 120, "ruled": true}'),
  ('SKU-2', 'Fountain pen 🖋', 89.99, 'gift,sale', '{"ink": "blue", "nib": "F"}'),
  ('SKU-3', 'Ink bottle', 12.00, '', NULL);
INSERT INTO orders (customer_id, status, total) VALUES (1, 'paid', 94.49), (2, 'new', 12.00), (3, 'shipped', 9.00);
INSERT INTO order_lines VALUES (1, 1, 'SKU-1', 1), (1, 2, 'SKU-2', 1), (2, 1, 'SKU-3', 1), (3, 1, 'SKU-1', 2);
INSERT INTO audit_log VALUES ('2024-03-01 18:00:00', 'demo seeded');
