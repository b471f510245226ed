"""The vocabulary of the benchmarks' synthetic leads, and the seed's offer they score against."""

ROLES = ["CEO", "VP of Sales", "Data Analyst", "Marketing Coordinator", "Engineer", "Intern"]
INDUSTRIES = ["SaaS", "Technology", "Retail", "Consulting", "Healthcare", "Education"]
BIOS = [
    "Looking for advanced ML platforms to scale our data science capabilities.",
    "Business intelligence professional focused on operational efficiency.",
    "Coordinating marketing campaigns and social media content.",
    "Evaluating real-time data processing for our product analytics stack.",
    "Studying history and political science.",
]
OFFER = {
    "name": "AI Analytics Platform Pro",
    "value_props": ["Advanced Machine Learning Analytics", "Real-time Data Processing",
                    "Predictive Business Intelligence", "Custom Dashboard Creation"],
    "ideal_use_cases": ["Enterprise Data Analysis", "Business Intelligence Reporting",
                        "Customer Behavior Analytics", "Sales Performance Optimization"],
}  # fmt: skip
