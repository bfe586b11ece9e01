"""The web portal: public pages per network and the console, a backend-for-frontend over the four APIs."""
