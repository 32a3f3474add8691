int feeds_placeholder;
